m = torch.zeros_like(key)
m[1] = 2.5
m[:, 0] += key[:, 1]
query122 = m
