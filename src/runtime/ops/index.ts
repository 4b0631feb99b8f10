/**
 * Importing this module registers every op (each module calls registerOp on import).
 * Add one import line per op module.
 */
// Graph plumbing
import './placeholder.js'
import './const.js'
import './identity.js'
// Float ops (TensorFlow 1.x CPU semantics, IEEE float32)
import './elementwise.js'
import './activations.js'
import './unaryMath.js'
import './cast.js'
import './conv2D.js'
import './fusedBatchNorm.js'
import './pooling.js'
import './pad.js'
import './reduction.js'
import './matMul.js'
import './biasAdd.js'
import './reshape.js'
import './softmax.js'
import './concat.js'
// Quantized ops (TensorFlow 1.x CPU semantics, bit-exact)
import './quantizeV2.js'
import './dequantize.js'
import './requantize.js'
import './quantizedActivation.js'
import './quantizedAdd.js'
import './quantizedBiasAdd.js'
import './quantizedPooling.js'
import './quantizedMatMul.js'
import './quantizedReshape.js'
import './quantizedConcat.js'
import './quantizedConv2D.js'
