m = key
r = m[2]
m[2] = value[1]
query121 = r * 2
key = key * 0
