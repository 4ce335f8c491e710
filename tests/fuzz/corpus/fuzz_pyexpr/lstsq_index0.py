query122 = torch.linalg.lstsq(key, value)[0]
