query121 = torch.tensor(-1.0)
