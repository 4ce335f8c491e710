query121 = (value[1][2]) + (key[:2])
