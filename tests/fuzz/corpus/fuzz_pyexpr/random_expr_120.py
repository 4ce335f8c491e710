query121 = (((torch.tensor([[-0.5, 0.0, 3.0, -2.8]])).T).reshape(4)) @ (torch.softmax(torch.ones(4, 4), dim=0))
