"""The differentiable operations, grouped by kind. Each is a ``Function`` with its
forward (on backend arrays) and backward (on Tensors) side by side."""
