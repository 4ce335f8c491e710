# A student's partial answers: only 1.2.1 and 1.3.1, written the ways the course allows.
import torch

query121 = 20 * torch.tensor([-0.090, 0.584, 0.807])  # max-margin direction, scaled up
query131 = torch.tensor([0.0, 0.0, 0.0], dtype=torch.float32) * 3
