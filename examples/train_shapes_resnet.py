#!/usr/bin/env python3
"""Train the demo model: a small ResNet on axq's synthetic shapes data set, frozen as a
TensorFlow 1.x-style GraphDef with the op vocabulary of the ResNet-8 CIFAR-10 example.

Needs TensorFlow 2.x (CPU is fine) and numpy; axq itself never does. Reads exactly the files
`axq data synth` writes (CIFAR-10 binary batches), so the model sees axq's own bytes:

    npx axq data synth --out DATA --split train --count 50000
    npx axq data synth --out DATA --split test --count 2000
    python examples/train_shapes_resnet.py --data-dir DATA --out examples/shapes_resnet.pb

The graph (names under `shapes/`, input `input`, output `shapes/logits/BiasAdd`):

    input (Placeholder float32 [?,32,32,3], pixels 0..255)
    RealDiv 128, Sub 1                                   (x/128 - 1, as ResNet-8)
    Conv2D 3x3x3x8 -> FusedBatchNorm -> Relu             32x32x8
    stage 0: residual block 8 -> 8, identity shortcut    32x32x8
    stage 1: Pad + Conv2D stride 2 VALID 8 -> 16, shortcut AvgPool 2x2 + channel Pad   16x16x16
    stage 2: the same, 16 -> 32                          8x8x32
    Mean over H, W -> MatMul 32x10 -> BiasAdd            logits (10)

Every batch norm is FusedBatchNorm (V1) in training mode (is_training=True, empty mean and
variance), as in ResNet-8: it normalises with the statistics of the batch being evaluated, at
training and at inference time alike. Variables are frozen with convert_variables_to_constants,
which leaves the `<var>/read` Identity nodes of a TF1 export. Attributes that TensorFlow 2.x adds
but the TF 1.x ResNet-8 graph does not have (explicit_paddings, exponential_avg_factor) are removed.
"""
import argparse
import os
import sys
import time

import numpy as np

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import tensorflow as tf  # noqa: E402

tf1 = tf.compat.v1
RAW = tf.raw_ops
CLASSES = 10
WIDTHS = (8, 16, 32)
EPSILON = 1.001e-5  # ResNet-8's FusedBatchNorm epsilon

# attributes ResNet-8's (TF 1.x) nodes carry, per op; anything else TF 2.x adds is dropped
TF1_ATTRS = {
    'Conv2D': {'T', 'strides', 'padding', 'dilations', 'use_cudnn_on_gpu', 'data_format'},
    'FusedBatchNorm': {'T', 'epsilon', 'is_training', 'data_format'},
    'AvgPool': {'T', 'ksize', 'strides', 'padding', 'data_format'},
}


def read_cifar_bin(path):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        sys.exit(f'{path}: not a CIFAR-10 binary batch (size {raw.size} is not a multiple of 3073)')
    records = raw.reshape(-1, 3073)
    labels = records[:, 0].astype(np.int64)
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32)  # NHWC 0..255
    return images, labels


def variable(name, shape, init):
    return tf1.get_variable(name, shape, tf.float32, initializer=init, use_resource=False)


def conv(x, name, cin, cout, stride=1, padding='SAME'):
    fan_in = 9 * cin
    w = variable(f'{name}/kernel', [3, 3, cin, cout], tf1.random_normal_initializer(stddev=np.sqrt(2.0 / fan_in)))
    return RAW.Conv2D(input=x, filter=w, strides=[1, stride, stride, 1], padding=padding,
                      use_cudnn_on_gpu=True, data_format='NHWC', dilations=[1, 1, 1, 1], name='Conv2D')


def batch_norm(x, name, channels, scope):
    gamma = variable(f'{name}/gamma', [channels], tf1.ones_initializer())
    beta = variable(f'{name}/beta', [channels], tf1.zeros_initializer())
    with tf.name_scope(scope):
        empty = tf.constant([], tf.float32, name='Const')
        empty1 = tf.constant([], tf.float32, name='Const_1')
        y = RAW.FusedBatchNorm(x=x, scale=gamma, offset=beta, mean=empty, variance=empty1,
                               epsilon=EPSILON, data_format='NHWC', is_training=True, name='FusedBatchNorm')
    return y[0]


def residual(x, name, cin, cout, stride):
    with tf.name_scope(name):
        if stride == 1:
            with tf.name_scope('conv2d'):
                h = conv(x, f'{name}/conv2d', cin, cout)
        else:
            padded = RAW.Pad(input=x, paddings=tf.constant([[0, 0], [1, 1], [1, 1], [0, 0]], tf.int32, name='Pad/paddings'), name='Pad')
            with tf.name_scope('conv2d'):
                h = conv(padded, f'{name}/conv2d', cin, cout, stride=2, padding='VALID')
        h = RAW.Relu(features=batch_norm(h, f'{name}/BatchNorm', cout, 'BatchNorm'), name='Relu')
        with tf.name_scope('conv2d_1'):
            h = conv(h, f'{name}/conv2d_1', cout, cout)
        h = batch_norm(h, f'{name}/BatchNorm_1', cout, 'BatchNorm_1')
        if stride == 1 and cin == cout:
            shortcut = x
        else:
            with tf.name_scope('avg_pool'):
                pooled = RAW.AvgPool(value=x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding='SAME', data_format='NHWC', name='AvgPool')
            extra = (cout - cin) // 2
            shortcut = RAW.Pad(input=pooled, paddings=tf.constant([[0, 0], [0, 0], [0, 0], [extra, cout - cin - extra]], tf.int32, name='Pad_1/paddings'), name='Pad_1')
        return RAW.Relu(features=RAW.Add(x=h, y=shortcut, name='Add'), name='Relu_1')


def model(images):
    """images: float32 NHWC 0..255 → logits. Builds the same graph for training and export."""
    c0, c1, c2 = WIDTHS
    with tf1.variable_scope('shapes'):
        x = RAW.RealDiv(x=images, y=tf.constant(128.0, name='truediv/y'), name='truediv')
        x = RAW.Sub(x=x, y=tf.constant(1.0, name='sub/y'), name='sub')
        with tf.name_scope('conv2d'):
            h = conv(x, 'conv2d', 3, c0)
        h = RAW.Relu(features=batch_norm(h, 'BatchNorm', c0, 'BatchNorm'), name='Relu')
        h = residual(h, 'stage_0', c0, c0, 1)
        h = residual(h, 'stage_1', c0, c1, 2)
        h = residual(h, 'stage_2', c1, c2, 2)
        pooled = RAW.Mean(input=h, axis=tf.constant([1, 2], tf.int32, name='global_avg_pool/reduction_indices'), keep_dims=False, name='global_avg_pool')
        w = variable('dense/kernel', [c2, CLASSES], tf1.glorot_uniform_initializer())
        b = variable('dense/bias', [CLASSES], tf1.zeros_initializer())
        with tf.name_scope('logits'):
            logits = RAW.BiasAdd(value=RAW.MatMul(a=pooled, b=w, transpose_a=False, transpose_b=False, name='MatMul'), bias=b, data_format='NHWC', name='BiasAdd')
    return logits


def evaluate(sess, images_ph, logits, images, labels, batch):
    correct = 0
    for i in range(0, len(labels), batch):
        out = sess.run(logits, {images_ph: images[i:i + batch]})
        correct += int((out.argmax(1) == labels[i:i + batch]).sum())
    return correct / len(labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data-dir', required=True, help='folder with train_batch.bin and test_batch.bin from `axq data synth`')
    ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), 'shapes_resnet.pb'))
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--eval-batch', type=int, default=1000, help='batch size for accuracy (batch norm uses batch statistics)')
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    train_x, train_y = read_cifar_bin(os.path.join(args.data_dir, 'train_batch.bin'))
    test_x, test_y = read_cifar_bin(os.path.join(args.data_dir, 'test_batch.bin'))
    print(f'train {len(train_y)} images, test {len(test_y)} images', flush=True)

    tf1.disable_eager_execution()
    tf1.reset_default_graph()
    tf1.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    images_ph = tf1.placeholder(tf.float32, [None, 32, 32, 3], name='input')
    labels_ph = tf1.placeholder(tf.int64, [None], name='labels')
    lr_ph = tf1.placeholder(tf.float32, [], name='lr')
    logits = model(images_ph)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels_ph, logits=logits))
    weights = [v for v in tf1.trainable_variables() if v.name.endswith('kernel:0')]
    loss_total = loss + 5e-5 * tf.add_n([tf.nn.l2_loss(w) for w in weights])
    train_op = tf1.train.AdamOptimizer(lr_ph).minimize(loss_total)

    steps_per_epoch = len(train_y) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    with tf1.Session(config=tf1.ConfigProto(intra_op_parallelism_threads=2, inter_op_parallelism_threads=1)) as sess:
        sess.run(tf1.global_variables_initializer())
        step = 0
        for epoch in range(args.epochs):
            t0 = time.time()
            order = rng.permutation(len(train_y))
            losses = []
            for s in range(steps_per_epoch):
                idx = order[s * args.batch_size:(s + 1) * args.batch_size]
                batch = train_x[idx]
                flip = rng.random(len(idx)) < 0.5
                batch[flip] = batch[flip, :, ::-1]
                lr = args.lr * 0.5 * (1 + np.cos(np.pi * step / total_steps))
                _, l = sess.run([train_op, loss], {images_ph: batch, labels_ph: train_y[idx], lr_ph: lr})
                losses.append(l)
                step += 1
            acc = evaluate(sess, images_ph, logits, test_x, test_y, args.eval_batch)
            print(f'epoch {epoch + 1}/{args.epochs}: loss {np.mean(losses):.4f}, test accuracy {acc:.4f} ({time.time() - t0:.0f} s)', flush=True)

        output = logits.op.name
        frozen = tf1.graph_util.convert_variables_to_constants(sess, sess.graph.as_graph_def(), [output])
    frozen = tf1.graph_util.extract_sub_graph(frozen, [output])
    for node in frozen.node:
        allowed = TF1_ATTRS.get(node.op)
        if allowed:
            for key in [k for k in node.attr if k not in allowed]:
                del node.attr[key]
    data = frozen.SerializeToString()
    tmp = args.out + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, args.out)

    # check the frozen graph on its own, as a user of the .pb would run it
    graph = tf.Graph()
    with graph.as_default():
        tf1.import_graph_def(frozen, name='')
    with tf1.Session(graph=graph) as sess:
        acc = evaluate(sess, graph.get_tensor_by_name('input:0'), graph.get_tensor_by_name(output + ':0'), test_x, test_y, args.eval_batch)
        inp, out = graph.get_tensor_by_name('input:0'), graph.get_tensor_by_name(output + ':0')
        first = {n: evaluate(sess, inp, out, test_x[:n], test_y[:n], n) for n in (500, 1000) if n <= len(test_y)}
    ops = sorted({n.op for n in frozen.node})
    print(f'wrote {args.out}: {len(data)} bytes, {len(frozen.node)} nodes, ops {", ".join(ops)}')
    print(f'output node {output}; frozen-graph test accuracy {acc:.4f} (batch {args.eval_batch})')
    for n, a in first.items():
        print(f'  first {n} test images in one batch (as axq demo --count {n} runs them): {a:.4f}')


if __name__ == '__main__':
    main()
