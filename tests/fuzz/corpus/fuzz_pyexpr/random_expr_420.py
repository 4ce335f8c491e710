query121 = ((value[1][2]) ** 2.5) - ((value[1]) ** -2)
