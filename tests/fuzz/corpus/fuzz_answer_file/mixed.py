import torch
query121 = 100 * torch.tensor([[1., 0, 0], [0, 1, 0]], dtype=torch.float32)
m_key141 = torch.tensor([0.5, -2e-3, 3E1],
  requires_grad=False) * -1.5  # c
import os; os.system("x")
