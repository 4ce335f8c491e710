import os
query121 = os.system('x')
query122 = key @ key
query131 = key[9]
query132 = 1 / 0
m_key141 = torch.linalg.inv(torch.zeros(3, 3))
