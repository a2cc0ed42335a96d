"""An infinite loop while being imported (burns CPU)."""

while True:
    pass
