query121 = (torch.eye(3)) ** -2
