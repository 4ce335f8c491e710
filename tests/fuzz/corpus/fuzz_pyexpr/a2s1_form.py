# A2S1.py as the course's notebook downloads it, answers filled in
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(447)
key = torch.randn(4, 3)
key /= torch.norm(key, dim=1, keepdim=True)
key.round_(decimals=2)
value = torch.randn(4, 3)
value /= torch.norm(value, dim=1, keepdim=True)
value.round_(decimals=2)
print(f'key:\n{key}')
print(f'value:\n{value}')

def attention(query, key, value):
    """
    Note that we remove scaling for simplicity.
    """
    return F.scaled_dot_product_attention(query, key, value, scale=1)

def check_query(query, target, key=key, value=value):
    """
    Helper function for you to check if your query is close to the required target matrix.
    """
    a_out = attention(query, key, value)
    print("maximum absolute element-wise difference:", (target - a_out).abs().max())

# Define a query vector to "select" the first value vector
# TODO:
query121 = key[0] * 100
# compare output of attention with desired output
print(query121)
check_query(query121, value[0])

# TODO:
query122 = key * 100
print(query122)
check_query(query122, value)

# TODO:
query131 = torch.zeros(3)
print(query131)
target = torch.reshape(value.mean(0, keepdims=True), (3,)) # reshape to a vector
check_query(query131, target)

# TODO:
query132 = 20 * (key[0] + key[1]) / (key[0] + key[1]).norm()
print(query132)
target = torch.reshape(value[(0, 1),].mean(0, keepdims=True), (3,)) # reshape to a vector
check_query(query132, target)

m_key = key.clone()
# TODO:
m_key[2] = (key[0] + key[1]) / 2
# compare output of attention with desired output
check_query(query132, value[(0, 1, 2),].mean(0, keepdims=True), key=m_key)

m_key = key.clone()
# TODO:
m_key[2] = query132
m_key[2] /= m_key[2].norm()
# compare output of attention with desired output
check_query(query132, value[2], key=m_key)
