/** Whether the native library has the quantized kernels; the tests of the native mode skip otherwise. */
import {nativeQuantizedKernels, setQuantizedKernelMode} from '../../../src/native/quantizedKernels.js'

export const haveNativeQuantizedKernels: boolean = (() => {
  try {
    setQuantizedKernelMode('native')
    return nativeQuantizedKernels(1)
  } catch {
    return false
  } finally {
    setQuantizedKernelMode('auto')
  }
})()
