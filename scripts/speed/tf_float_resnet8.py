#!/usr/bin/env python3
"""CPU time of TensorFlow on the float ResNet-8 (the comparison of axq issue 14, item 3).

Loads a frozen GraphDef (e.g. ../shared/models/resnet_8.pb), feeds the first BATCH images of a
CIFAR-10 .bin file as float32 NHWC 0..255 (what `axq infer` feeds), runs the graph once to warm
up, then RUNS times, and prints the process CPU seconds (user + system, all threads) and the wall
seconds of each timed run plus the accuracy. TensorFlow is only a reference: install it into an
ignored virtual environment (`python3 -m venv .venv-tf && .venv-tf/bin/pip install
tensorflow-cpu`); axq never imports it.

Usage: .venv-tf/bin/python scripts/speed/tf_float_resnet8.py GRAPH DATA.bin [BATCH] [RUNS] [THREADS]
Compare with `axq infer GRAPH --data DATA.bin --batch-size BATCH --iterations 1 --profile`,
interleaving the runs of both (the machine is shared).
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def cpu_seconds():
    t = os.times()
    return t.user + t.system


def main():
    graph_file, data_file = sys.argv[1], sys.argv[2]
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    threads = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    raw = np.fromfile(data_file, dtype=np.uint8).reshape(-1, 3073)[:batch]
    labels = raw[:, 0].astype(np.int64)
    images = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32)

    graph_def = tf.compat.v1.GraphDef()
    with open(graph_file, "rb") as f:
        graph_def.ParseFromString(f.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    ops = graph.get_operations()
    placeholder = [op for op in ops if op.type == "Placeholder"][0].outputs[0]
    consumed = {t.name for op in ops for t in op.inputs}
    sink = [op for op in ops if op.outputs and op.outputs[0].name not in consumed and op.type not in ("Const", "NoOp")][-1].outputs[0]
    config = tf.compat.v1.ConfigProto(intra_op_parallelism_threads=threads, inter_op_parallelism_threads=threads)
    with tf.compat.v1.Session(graph=graph, config=config) as sess:
        logits = sess.run(sink, {placeholder: images})  # warm-up
        for run in range(runs):
            c0, w0 = cpu_seconds(), time.perf_counter()
            logits = sess.run(sink, {placeholder: images})
            c1, w1 = cpu_seconds(), time.perf_counter()
            accuracy = float(np.mean(np.argmax(logits.reshape(batch, -1), axis=1) == labels))
            print(f"tensorflow {tf.__version__} run {run}: cpu {c1 - c0:.3f} s, wall {w1 - w0:.3f} s, {batch} images, accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main()
