query121 = (key[0] ** 2 + torch.ones(3)) * key.max() - 1 / key[3]
