import torch
query121 = key[0] * 100
query122 = key * 100
query131 = key[0] * 10
query132 = 10 * (key[0] + key[1])
m_key141 = key.clone(); m_key141[2] = (key[0] + key[1]) / 2
m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()
