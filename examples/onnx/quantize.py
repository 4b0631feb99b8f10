#!/usr/bin/env python3
"""Quantize the float example models with onnxruntime's quantize_static and write models.json.

    python examples/onnx/quantize.py resnet20 mobilenetv2

For each float model examples/onnx/NAME.onnx this writes eight quantized versions,
NAME.{u8u8,s8s8}.{qdq,qop}[.pc].onnx: activation/weight types uint8/uint8 or int8/int8, QDQ or
QOperator format, per-tensor or (.pc) per-channel weights. Everything else is onnxruntime's
default: MinMax calibration, reduce_range off, asymmetric activations, symmetric int8 weights
(uint8 weights asymmetric), all supported op types quantized. Calibration reads the first
CALIBRATION_IMAGES images of ../shared/cifar10/data_batch_5.bin (never a test file), preprocessed as
the models expect (cifar.preprocess), fed as one batch per CALIBRATION_BATCH images.

The float model's metadata_props (preprocessing, classes; see README.md) are copied into each
quantized model, plus axq.quant.* keys saying how it was quantized. models.json lists every file.
The MinMax ranges onnxruntime computed are kept in calibration/NAME.minmax.json (onnxruntime's
calibration cache format: tensor name -> lowest/highest), so axq's quantizer can be checked against
onnxruntime's with exactly the same ranges.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_static)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cifar  # noqa: E402

CALIBRATION_IMAGES = 200
CALIBRATION_BATCH = 50
TYPES = {'u8u8': (QuantType.QUInt8, QuantType.QUInt8), 's8s8': (QuantType.QInt8, QuantType.QInt8)}
FORMATS = {'qdq': QuantFormat.QDQ, 'qop': QuantFormat.QOperator}
TYPE_NAMES = {QuantType.QUInt8: 'uint8', QuantType.QInt8: 'int8'}


class Batches(CalibrationDataReader):
    def __init__(self, x):
        self.batches = iter([x[i:i + CALIBRATION_BATCH] for i in range(0, len(x), CALIBRATION_BATCH)])

    def get_next(self):
        b = next(self.batches, None)
        return None if b is None else {cifar.INPUT_NAME: b}


def calibration_inputs():
    images, _ = cifar.read_cifar_bin(cifar.TRAIN_FILE)
    return cifar.preprocess(images[:CALIBRATION_IMAGES])


def set_metadata(path, meta):
    m = onnx.load(path)
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    onnx.save(m, path)


def float_metadata(path):
    return {p.key: p.value for p in onnx.load(path).metadata_props}


def model_entry(file, name, meta, quant=None):
    entry = {
        'file': file,
        'model': name,
        'format': 'float' if quant is None else quant['format'],
        'activation_type': 'float32' if quant is None else quant['activation_type'],
        'weight_type': 'float32' if quant is None else quant['weight_type'],
        'per_channel': False if quant is None else quant['per_channel'],
        'input': {'name': cifar.INPUT_NAME, 'shape': ['N', 3, 32, 32], 'layout': 'NCHW', 'dtype': 'float32'},
        'output': {'name': cifar.OUTPUT_NAME, 'shape': ['N', len(cifar.CLASSES)], 'dtype': 'float32'},
        'preprocessing': {'scale': cifar.SCALE, 'mean': list(cifar.MEAN), 'std': list(cifar.STD),
                          'formula': '(pixel * scale - mean[c]) / std[c], pixels 0..255 RGB'},
        'classes': cifar.CLASSES,
        'train': {'data': meta.get('axq.train.data'), 'epochs': int(meta.get('axq.train.epochs', 0))},
        'bytes': os.path.getsize(os.path.join(cifar.HERE, file)),
    }
    if quant is not None:
        entry['quantization'] = {
            'tool': f'onnxruntime {onnxruntime.__version__} quantize_static',
            'calibration': f'first {CALIBRATION_IMAGES} images of cifar10/data_batch_5.bin, batches of {CALIBRATION_BATCH}',
            'calibrate_method': 'MinMax', 'reduce_range': False, 'from': f'{name}.onnx',
        }
    return entry


def main():
    names = sys.argv[1:] or ['resnet20', 'mobilenetv2']
    x = calibration_inputs()
    manifest_path = os.path.join(cifar.HERE, 'models.json')
    old = json.load(open(manifest_path)) if os.path.exists(manifest_path) else {'models': []}
    entries = [e for e in old['models'] if e['model'] not in names]
    for name in names:
        src = os.path.join(cifar.HERE, name + '.onnx')
        meta = float_metadata(src)
        cache = os.path.join(cifar.HERE, 'calibration', name + '.minmax.json')
        if os.path.exists(cache):
            os.remove(cache)  # always calibrate the model as it is now; the 8 versions then share the ranges
        entries.append(model_entry(name + '.onnx', name, meta))
        for types, (act, wt) in TYPES.items():
            for fmt, qformat in FORMATS.items():
                for per_channel in (False, True):
                    file = f'{name}.{types}.{fmt}{".pc" if per_channel else ""}.onnx'
                    dst = os.path.join(cifar.HERE, file)
                    quantize_static(src, dst, Batches(x), quant_format=qformat, activation_type=act,
                                    weight_type=wt, per_channel=per_channel, reduce_range=False,
                                    calibrate_method=CalibrationMethod.MinMax, calibration_cache_path=cache)
                    quant = {'format': 'QDQ' if fmt == 'qdq' else 'QOperator', 'activation_type': TYPE_NAMES[act],
                             'weight_type': TYPE_NAMES[wt], 'per_channel': per_channel}
                    qmeta = dict(meta)
                    qmeta.update({'axq.quant.format': quant['format'], 'axq.quant.activation_type': quant['activation_type'],
                                  'axq.quant.weight_type': quant['weight_type'],
                                  'axq.quant.per_channel': 'true' if per_channel else 'false',
                                  'axq.quant.calibration': f'cifar10/data_batch_5.bin first {CALIBRATION_IMAGES}',
                                  'axq.quant.tool': f'onnxruntime {onnxruntime.__version__}'})
                    set_metadata(dst, qmeta)
                    entries.append(model_entry(file, name, meta, quant))
                    print(f'wrote {file} ({os.path.getsize(dst)} bytes)', flush=True)
    order = {n: i for i, n in enumerate(['resnet20', 'mobilenetv2'])}
    entries.sort(key=lambda e: (order.get(e['model'], 99), e['format'] != 'float', e['file']))
    manifest = {
        'description': 'Example CIFAR-10 models (examples/onnx/README.md). Accuracy: onnxruntime on '
                       'cifar10/test_first1000.bin (filled in by evaluate.py).',
        'metadata_keys': {
            cifar.META_SCALE: 'pixel scale applied first (1/255)',
            cifar.META_MEAN: 'per-channel mean, comma-separated, RGB',
            cifar.META_STD: 'per-channel std, comma-separated, RGB',
            cifar.META_LAYOUT: 'input layout (NCHW)',
            cifar.META_CLASSES: 'class names, comma-separated, index = label',
        },
        'models': entries,
    }
    for e in manifest['models']:  # keep accuracies evaluate.py measured for models not redone here
        prev = next((o for o in old['models'] if o['file'] == e['file'] and o['model'] not in names), None)
        if prev and 'accuracy' in prev:
            e['accuracy'] = prev['accuracy']
    with open(manifest_path, 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    print(f'wrote {manifest_path}')


if __name__ == '__main__':
    main()
