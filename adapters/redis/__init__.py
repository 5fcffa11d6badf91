"""Redis: the stores shared by every replica, one module per port."""
