a = torch.linalg.lstsq(key, value)[0]
b = torch.cat([key, value], 0)
query122 = torch.zeros_like(key) + torch.ones(4, 3) * torch.eye(4)[:, :3] \
    + torch.linalg.norm(key) ** -1
query122 -= 1; query122 @= torch.eye(3)
query131 = torch.tensor([1., 2, 3], dtype=torch.float32).detach().t()
