query121 = key[0] * 100
