a = torch.stack([key[0], key[1] * 2])
query122 = torch.cat([a, key[2:] / 3])
