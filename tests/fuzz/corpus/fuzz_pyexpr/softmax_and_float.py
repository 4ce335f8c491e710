s = float(key[0] @ key[1])
query121 = torch.softmax(key[0] * s, dim=0) * 7
