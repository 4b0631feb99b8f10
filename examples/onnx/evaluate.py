#!/usr/bin/env python3
"""Accuracy of every model in models.json on ../shared/cifar10/test_first1000.bin with onnxruntime.

    python examples/onnx/evaluate.py            # updates models.json, prints the README table

onnxruntime's CPU execution provider at its default graph optimisation level, one batch of 100
images at a time. Writes each model's top-1 accuracy into models.json ("accuracy": {"test_first1000":
...}) and prints a Markdown table for README.md. The test file is only read, never fitted to.
"""
import json
import os
import sys

import numpy as np
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cifar  # noqa: E402


def accuracy(path, x, y):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=['CPUExecutionProvider'])
    correct = 0
    for i in range(0, len(y), 100):
        logits = sess.run([cifar.OUTPUT_NAME], {cifar.INPUT_NAME: x[i:i + 100]})[0]
        correct += int((logits.argmax(1) == y[i:i + 100]).sum())
    return correct / len(y)


def main():
    manifest_path = os.path.join(cifar.HERE, 'models.json')
    manifest = json.load(open(manifest_path))
    images, labels = cifar.read_cifar_bin(cifar.TEST_FILE)
    x = cifar.preprocess(images)
    rows = []
    for e in manifest['models']:
        acc = accuracy(os.path.join(cifar.HERE, e['file']), x, labels)
        e['accuracy'] = {'test_first1000': acc, 'runtime': f'onnxruntime {ort.__version__} CPU'}
        rows.append(e)
        print(f'{e["file"]}: {acc:.3f}', file=sys.stderr, flush=True)
    with open(manifest_path, 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    print('| file | format | activations / weights | weights | KiB | accuracy |')
    print('|---|---|---|---|---:|---:|')
    for e in rows:
        types = 'float32' if e['format'] == 'float' else f'{e["activation_type"]} / {e["weight_type"]}'
        pc = '—' if e['format'] == 'float' else ('per channel' if e['per_channel'] else 'per tensor')
        print(f'| `{e["file"]}` | {e["format"]} | {types} | {pc} | {e["bytes"] / 1024:.0f} | '
              f'{e["accuracy"]["test_first1000"]:.3f} |')


if __name__ == '__main__':
    main()
