query121 = (torch.cat([torch.tensor([[1.37, -1.57, 1.87]])], dim=1)) ** -1
