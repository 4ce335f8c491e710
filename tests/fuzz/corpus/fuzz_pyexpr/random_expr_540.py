query121 = -(value[:, 2])
