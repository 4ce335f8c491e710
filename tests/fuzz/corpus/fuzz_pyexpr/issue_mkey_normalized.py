query132 = 10 * (key[0] + key[1])
m_key142 = key.clone(); m_key142[2] = query132; m_key142[2] /= m_key142[2].norm()
