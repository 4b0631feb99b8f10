#!/usr/bin/env python3
"""Train an example CIFAR-10 model with PyTorch on data_batch_5 only and export it to ONNX.

    python examples/onnx/train.py --arch resnet20 --minutes 30 --out examples/onnx/resnet20.onnx
    python examples/onnx/train.py --arch mobilenetv2 --minutes 12 --out examples/onnx/mobilenetv2.onnx

Needs torch and onnx (in an ignored venv; axq never does). Reads ../shared/cifar10/data_batch_5.bin
(10,000 training images) and nothing else: no test file is opened here. Augmentation: random
crop (4-pixel zero padding) and horizontal flip. SGD with Nesterov momentum, cosine learning rate.
With --minutes the number of epochs is fixed after the first epoch from its duration (so the run
fits the budget on a loaded machine); --epochs N fixes it up front (the value a run chose is
logged and stored in the model's metadata as axq.train.epochs).

Architectures (both exported with batch norm folded into the convolutions, classic exporter,
opset 13, dynamic batch; input "input" [N,3,32,32] float32, output "logits" [N,10]):
- resnet20: He et al. 2016's CIFAR ResNet-20: 3x3 conv 16, three stages of three basic blocks
  (16, 32, 64 channels, stride 2 at the start of stages 2 and 3), global average pool, linear 10.
  Downsampling shortcuts are 1x1 strided convolutions + batch norm (the paper's option B) rather
  than option A's zero padding, so the graph stays inside Conv/Add/Relu (no Slice/Pad). 0.27 M
  parameters, 41 M MACs per image.
- mobilenetv2: a small MobileNetV2-style net: 3x3 conv 16, inverted residual blocks (1x1 expand,
  3x3 depthwise, 1x1 linear projection, ReLU6 = Clip(0, 6), identity residual where shapes agree),
  1x1 conv 128, global average pool, linear 10.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cifar  # noqa: E402


# ---------------------------------------------------------------- ResNet-20 (CIFAR variant)
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(y + s)


class ResNet20(nn.Module):
    def __init__(self, classes=10, blocks=3, widths=(16, 32, 64)):
        super().__init__()
        self.conv = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(widths[0])
        layers, cin = [], widths[0]
        for stage, w in enumerate(widths):
            for b in range(blocks):
                layers.append(BasicBlock(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.layers(x)
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


# ---------------------------------------------------------------- small MobileNetV2
def conv_bn(cin, cout, k, stride, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.ReLU6())
    return nn.Sequential(*layers)


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        layers = [] if expand == 1 else [conv_bn(cin, hidden, 1, 1)]
        layers += [conv_bn(hidden, hidden, 3, stride, groups=hidden), conv_bn(hidden, cout, 1, 1, act=False)]
        self.body = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return x + y if self.residual else y


class MobileNetV2Small(nn.Module):
    # (expansion t, channels c, repeats n, first stride s), as in the MobileNetV2 paper's table 2
    CONFIG = ((1, 16, 1, 1), (4, 24, 2, 2), (4, 32, 2, 2), (4, 64, 2, 1))

    def __init__(self, classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16, 3, 1)
        blocks, cin = [], 16
        for t, c, n, s in self.CONFIG:
            for i in range(n):
                blocks.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = conv_bn(cin, 128, 1, 1)
        self.fc = nn.Linear(128, classes)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        x = F.adaptive_avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


ARCHS = {'resnet20': ResNet20, 'mobilenetv2': MobileNetV2Small}


# ---------------------------------------------------------------- training
def augment(batch_u8, rng):
    """Random crop with 4-pixel zero padding, random horizontal flip (uint8 NCHW)."""
    n = batch_u8.shape[0]
    padded = np.pad(batch_u8, ((0, 0), (0, 0), (4, 4), (4, 4)))
    out = np.empty_like(batch_u8)
    dy, dx = rng.integers(0, 9, n), rng.integers(0, 9, n)
    flip = rng.random(n) < 0.5
    for i in range(n):
        crop = padded[i, :, dy[i]:dy[i] + 32, dx[i]:dx[i] + 32]
        out[i] = crop[:, :, ::-1] if flip[i] else crop
    return out


def export(model, path, arch, epochs, train_acc):
    import onnx
    model.eval()
    dummy = torch.zeros(1, 3, 32, 32)
    kwargs = dict(input_names=[cifar.INPUT_NAME], output_names=[cifar.OUTPUT_NAME], opset_version=13,
                  do_constant_folding=True,
                  dynamic_axes={cifar.INPUT_NAME: {0: 'batch'}, cifar.OUTPUT_NAME: {0: 'batch'}})
    try:
        torch.onnx.export(model, dummy, path, dynamo=False, **kwargs)
    except TypeError:  # older torch without the dynamo switch: the classic exporter is the default
        torch.onnx.export(model, dummy, path, **kwargs)
    m = onnx.load(path)
    meta = cifar.metadata()
    meta['axq.model'] = arch
    meta['axq.train.data'] = 'cifar10/data_batch_5.bin (10000 images)'
    meta['axq.train.epochs'] = str(epochs)
    meta['axq.train.accuracy'] = f'{train_acc:.4f}'
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    m.producer_name = 'axq examples/onnx/train.py (torch ' + torch.__version__ + ')'
    onnx.checker.check_model(m)
    onnx.save(m, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', choices=sorted(ARCHS), required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--epochs', type=int, help='number of epochs (default: fit --minutes)')
    ap.add_argument('--minutes', type=float, default=30.0, help='training time budget when --epochs is not given')
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--lr', type=float, default=0.1)
    ap.add_argument('--wd', type=float, default=5e-4)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    images, labels = cifar.read_cifar_bin(cifar.TRAIN_FILE)
    n = len(labels)
    model = ARCHS[args.arch]()
    params = sum(p.numel() for p in model.parameters())
    print(f'{args.arch}: {params} parameters, {n} training images from {cifar.TRAIN_FILE}', flush=True)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=args.wd)
    steps_per_epoch = math.ceil(n / args.batch)
    epochs = args.epochs or 1_000_000  # replaced after the first epoch when budgeted by time
    step, start = 0, time.time()
    epoch = 0
    while epoch < epochs:
        model.train()
        order = rng.permutation(n)
        seen = correct = 0
        loss_sum = 0.0
        for b in range(steps_per_epoch):
            idx = order[b * args.batch:(b + 1) * args.batch]
            x = torch.from_numpy(cifar.preprocess(augment(images[idx], rng)))
            y = torch.from_numpy(labels[idx])
            total = epochs * steps_per_epoch if args.epochs else 40 * steps_per_epoch
            warm = min(1.0, (step + 1) / (steps_per_epoch / 4))  # a quarter epoch of linear warm-up
            lr = args.lr * warm * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))
            for g in opt.param_groups:
                g['lr'] = lr
            out = model(x)
            loss = F.cross_entropy(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            seen += len(idx)
            correct += int((out.argmax(1) == y).sum())
            loss_sum += loss.item() * len(idx)
        epoch += 1
        elapsed = time.time() - start
        if epoch == 1 and not args.epochs:
            epochs = max(2, int(args.minutes * 60 / elapsed))
            args.epochs = epochs
            print(f'first epoch took {elapsed:.0f} s: training {epochs} epochs to fit {args.minutes} minutes', flush=True)
        train_acc = correct / seen
        eta = elapsed / epoch * (epochs - epoch)
        print(f'epoch {epoch}/{epochs} loss {loss_sum / seen:.4f} train-acc {train_acc:.4f} lr {lr:.4f} '
              f'elapsed {elapsed / 60:.1f} min eta {eta / 60:.1f} min', flush=True)
    export(model, args.out, args.arch, epochs, train_acc)
    print(f'wrote {args.out} ({os.path.getsize(args.out)} bytes)', flush=True)


if __name__ == '__main__':
    main()
