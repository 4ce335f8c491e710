%matplotlib inline
!pip install torch
def helper(a):
    return a * 2
query121 = helper(key[0])
m_key = key.clone()
check_query(query121, value[0], key=m_key)
m_key[2] = (key[0] + key[1]) / 2
check_query(query121, value[0], key=m_key)
