import torch
# 1.2.1 is wrong: q = 0 averages every value instead of selecting value[0].
query121 = torch.tensor([0.0, 0.0, 0.0])
query131 = torch.tensor([0.0, 0.0, 0.0])
