/** Write a Figure as .png or .svg (chosen by the file's extension), atomically. */
import path from 'node:path'
import {writeFileAtomic} from '../atomicWrite.js'
import {AxqError} from '../errors.js'
import type {Figure} from './figure.js'

export function figureFormat(file: string): 'png' | 'svg' {
  const ext = path.extname(file).toLowerCase()
  if (ext === '.png') return 'png'
  if (ext === '.svg') return 'svg'
  throw new AxqError(`${file}: a figure is written as .png or .svg, not '${ext || '(no extension)'}'`, {subject: file})
}

export async function saveFigure(figure: Figure, file: string): Promise<void> {
  writeFileAtomic(file, figureFormat(file) === 'png' ? await figure.toPng() : await figure.toSvg())
}
