query121 = ((torch.tensor([[2.0, 0.66, 0.6, -1.67]])).squeeze(0)).clone()
