#!/usr/bin/env python3
"""TensorFlow's own accuracy for the demo model, to compare with `axq demo` / `axq infer`.

Needs TensorFlow 2.x and numpy (never axq's tests). Runs, on the first COUNT images of a CIFAR-10
format .bin file in batches of BATCH (batch norm uses batch statistics, so use the batch axq
uses):
  - the float graph (examples/shapes_resnet.pb), and
  - optionally an axq-quantized graph (`axq transform ... --preset alwann`), with its AxConv2D
    nodes turned back into TensorFlow's QuantizedConv2D (= AxConv2D with the exact multiplier).
TensorFlow 2.x's quantized CPU kernels are not guaranteed to equal TF 1.x's bit for bit, so the
quantized number is a cross-check, not the reference.

    npx axq data synth --out DATA
    npx axq transform examples/shapes_resnet.pb DATA/quant.pb --preset alwann
    python examples/check_shapes_resnet.py --data DATA/test_batch.bin --count 500 --batch 500 --quantized DATA/quant.pb
"""
import argparse
import os

import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
HERE = os.path.dirname(os.path.abspath(__file__))


def load(path, rename_ax):
    graph_def = tf1.GraphDef()
    with open(path, 'rb') as f:
        graph_def.ParseFromString(f.read())
    if rename_ax:
        for node in graph_def.node:
            if node.op == 'AxConv2D':
                node.op = 'QuantizedConv2D'
                for key in ('AxMult', 'AxTune'):
                    if key in node.attr:
                        del node.attr[key]
    graph = tf.Graph()
    with graph.as_default():
        tf1.import_graph_def(graph_def, name='')
    return graph


def accuracy(graph, images, labels, batch, output):
    correct = 0
    with tf1.Session(graph=graph) as sess:
        for i in range(0, len(labels), batch):
            logits = sess.run(output + ':0', {'input:0': images[i:i + batch]})
            correct += int((logits.argmax(1) == labels[i:i + batch]).sum())
    return correct


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help='CIFAR-10 format .bin (e.g. test_batch.bin from axq data synth)')
    ap.add_argument('--count', type=int, default=500)
    ap.add_argument('--batch', type=int, default=500)
    ap.add_argument('--model', default=os.path.join(HERE, 'shapes_resnet.pb'))
    ap.add_argument('--quantized', help='an axq-quantized graph (AxConv2D nodes) to run as QuantizedConv2D')
    ap.add_argument('--output', default='shapes/logits/BiasAdd')
    args = ap.parse_args()
    records = np.fromfile(args.data, dtype=np.uint8).reshape(-1, 3073)[:args.count]
    labels = records[:, 0].astype(np.int64)
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32)
    n = len(labels)
    correct = accuracy(load(args.model, False), images, labels, args.batch, args.output)
    print(f'float     {args.model}: {correct}/{n} = {correct / n:.4f} (batches of {args.batch})')
    if args.quantized:
        correct = accuracy(load(args.quantized, True), images, labels, args.batch, args.output)
        print(f'quantized {args.quantized} (QuantizedConv2D, TF {tf.__version__}): {correct}/{n} = {correct / n:.4f}')


if __name__ == '__main__':
    main()
