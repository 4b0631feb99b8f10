"""What the example ONNX scripts share: the CIFAR-10 binary reader, the preprocessing every example
model expects, and the metadata_props keys that carry that preprocessing inside each .onnx file.

Preprocessing (NCHW float32): x = (pixel * SCALE - MEAN[c]) / STD[c], pixels 0..255, channels RGB.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get('AXQ_SHARED', os.path.join(HERE, '..', '..', '..', 'shared'))
CIFAR = os.path.join(SHARED, 'cifar10')
TRAIN_FILE = os.path.join(CIFAR, 'data_batch_5.bin')  # the only file training and calibration read
TEST_FILE = os.path.join(CIFAR, 'test_first1000.bin')  # accuracy is reported on it, never fitted to it

CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
SCALE = 1.0 / 255.0
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)
INPUT_NAME = 'input'
OUTPUT_NAME = 'logits'

# metadata_props keys (documented in examples/onnx/README.md); values are plain text
META_SCALE = 'axq.preprocess.scale'    # e.g. "0.00392156862745098" (1/255)
META_MEAN = 'axq.preprocess.mean'      # comma-separated, one per channel, RGB order
META_STD = 'axq.preprocess.std'        # comma-separated, one per channel
META_LAYOUT = 'axq.input.layout'       # "NCHW"
META_CLASSES = 'axq.classes'           # comma-separated class names, index = label


def metadata():
    return {
        META_SCALE: repr(SCALE),
        META_MEAN: ','.join(repr(m) for m in MEAN),
        META_STD: ','.join(repr(s) for s in STD),
        META_LAYOUT: 'NCHW',
        META_CLASSES: ','.join(CLASSES),
    }


def read_cifar_bin(path):
    """uint8 images [N,3,32,32] (CHW, RGB) and int64 labels [N]."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        sys.exit(f'{path}: not a CIFAR-10 binary batch (size {raw.size} is not a multiple of 3073)')
    records = raw.reshape(-1, 3073)
    return records[:, 1:].reshape(-1, 3, 32, 32).copy(), records[:, 0].astype(np.int64)


def preprocess(images_u8):
    """uint8 [N,3,H,W] -> float32 NCHW as the models expect (computed in float32, as axq does)."""
    x = images_u8.astype(np.float32) * np.float32(SCALE)
    mean = np.asarray(MEAN, dtype=np.float32).reshape(1, 3, 1, 1)
    std = np.asarray(STD, dtype=np.float32).reshape(1, 3, 1, 1)
    return ((x - mean) / std).astype(np.float32)
