query121 = torch.tensor([1.0, 2.0, -2.0])
