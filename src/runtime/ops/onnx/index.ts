/** Importing this module registers every ONNX op (domains ai.onnx and com.microsoft). */
import './floatOps.js'
import './qlinearConv.js'
import './quantizedOps.js'
import './qlinearAveragePool.js'
import './qlinearConcat.js'
import './qlinearLookupTable.js'
import './qlinearSoftmax.js'
