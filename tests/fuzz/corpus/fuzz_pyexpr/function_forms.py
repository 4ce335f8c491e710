import torch
scores = torch.matmul(key, torch.transpose(key, 0, 1))
query121 = 100 * torch.mean(key[:1], dim=0)
query122 = torch.matmul(torch.eye(4), key) * 100
query131 = torch.squeeze(torch.zeros(1, 3))
both = torch.unsqueeze(key[0] + key[1], 0)
query132 = 20 * torch.sum(both, dim=0) / torch.norm(both, dim=1, keepdim=True).squeeze()
m_key141 = torch.clone(key)
m_key141[2] = torch.mean(key[:2], dim=0, keepdim=True)
m_key142 = key.clone()
m_key142[2] = query132 / torch.norm(query132)
