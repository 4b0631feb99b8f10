#!/bin/sh
# Float ResNet-8: TensorFlow and axq interleaved on the same images (axq issue 14, item 3).
# Each round runs TensorFlow (scripts/speed/tf_float_resnet8.py: one session, warm-up, then timed
# sess.run calls) and then `axq bench --float` (one Session, warm-up batch, then timed batches),
# and prints `uptime` before each round (the machine is shared: compare CPU seconds).
#
# Usage: scripts/speed/float_vs_tf.sh [ROUNDS] [GRAPH] [DATA] [BATCH] [RUNS]
# Needs TensorFlow in an ignored venv: python3 -m venv .venv-tf && .venv-tf/bin/pip install tensorflow-cpu
set -e
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
GRAPH=${2:-../shared/models/resnet_8.pb}
DATA=${3:-../shared/cifar10/test_first1000.bin}
BATCH=${4:-1000}
RUNS=${5:-3}
PY=${TF_PYTHON:-.venv-tf/bin/python}
i=1
while [ "$i" -le "$ROUNDS" ]; do
  echo "== round $i: $(uptime)"
  "$PY" scripts/speed/tf_float_resnet8.py "$GRAPH" "$DATA" "$BATCH" "$RUNS"
  node bin/run.js bench --float --graph "$GRAPH" --data "$DATA" --batch-size "$BATCH" --iterations "$RUNS" | grep -E '^(run|warm CPU)'
  i=$((i + 1))
done
