"""Data: datasets and loaders, preprocessing, data sets for the lessons, and metrics.

    dataset.py        Dataset, TensorDataset
    loader.py         DataLoader (mini-batches of Tensors)
    preprocessing.py  train_test_split, StandardScaler, MinMaxScaler, one_hot, LabelEncoder
    datasets.py       make_line, make_house_prices, make_moons, make_circles, make_spirals,
                      load_digits, load_breast_cancer, load_mnist
    idx.py            read_idx, write_idx (the MNIST file format)
    metrics.py        accuracy, precision, recall, f1_score, confusion_matrix, roc_auc_score,
                      mean_squared_error, root_mean_squared_error, mean_absolute_error

Everything but the Dataset/DataLoader pair works on plain numpy arrays (and accepts
Tensors, read with ``.numpy()``); only the loader hands out Tensors.
"""

from .dataset import Dataset, TensorDataset
from .datasets import (
    load_breast_cancer,
    load_digits,
    load_mnist,
    make_circles,
    make_house_prices,
    make_line,
    make_moons,
    make_spirals,
)
from .idx import read_idx, write_idx
from .loader import DataLoader
from .metrics import (
    accuracy,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision,
    recall,
    roc_auc_score,
    root_mean_squared_error,
)
from .preprocessing import LabelEncoder, MinMaxScaler, StandardScaler, one_hot, train_test_split

__all__ = [
    "DataLoader",
    "Dataset",
    "LabelEncoder",
    "MinMaxScaler",
    "StandardScaler",
    "TensorDataset",
    "accuracy",
    "confusion_matrix",
    "f1_score",
    "load_breast_cancer",
    "load_digits",
    "load_mnist",
    "make_circles",
    "make_house_prices",
    "make_line",
    "make_moons",
    "make_spirals",
    "mean_absolute_error",
    "mean_squared_error",
    "one_hot",
    "precision",
    "read_idx",
    "recall",
    "roc_auc_score",
    "root_mean_squared_error",
    "train_test_split",
    "write_idx",
]
