q = key.mean(0).unsqueeze(0)
query131 = q.view(-1) * 50
query132 = q.reshape(3) - key.sum(dim=0, keepdim=True).squeeze()
