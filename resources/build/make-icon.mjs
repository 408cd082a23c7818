/*
 * Draws the app icon (resources/build/icon.png, 512x512 RGBA) with nothing but node:zlib:
 * a rounded dark-blue tile with three stacked stage bars, the campaign pipeline POMS runs.
 * Re-run after changing the drawing: `node resources/build/make-icon.mjs`.
 */
import { Buffer } from 'node:buffer'
import { writeFileSync } from 'node:fs'
import { URL } from 'node:url'
import { deflateSync } from 'node:zlib'

const SIZE = 512

function crc32(bytes) {
  let crc = ~0
  for (const byte of bytes) {
    crc ^= byte
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1))
  }
  return ~crc >>> 0
}

function chunk(type, data) {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** Coverage (0..1) of pixel (x, y) by a rounded rectangle, with one pixel of anti-aliasing. */
function roundedRect(x, y, left, top, right, bottom, radius) {
  const cx = Math.min(Math.max(x, left + radius), right - radius)
  const cy = Math.min(Math.max(y, top + radius), bottom - radius)
  const distance = Math.hypot(x - cx, y - cy) - radius
  return Math.min(1, Math.max(0, 0.5 - distance))
}

const blend = (under, over, alpha) => under.map((c, i) => Math.round(c + (over[i] - c) * alpha))

function pixel(x, y) {
  const px = x + 0.5
  const py = y + 0.5
  const tile = roundedRect(px, py, 16, 16, SIZE - 16, SIZE - 16, 96)
  if (tile === 0) return [0, 0, 0, 0]
  const shade = py / SIZE
  let rgb = [Math.round(18 + 20 * shade), Math.round(40 + 30 * shade), Math.round(92 + 40 * shade)]
  // Three staggered stage bars: generation, simulation, reconstruction.
  const bars = [
    { left: 96, right: 300, top: 132, color: [255, 170, 51] },
    { left: 196, right: 400, top: 228, color: [64, 200, 190] },
    { left: 112, right: 416, top: 324, color: [235, 240, 250] },
  ]
  for (const bar of bars) {
    const cover = roundedRect(px, py, bar.left, bar.top, bar.right, bar.top + 56, 28)
    if (cover > 0) rgb = blend(rgb, bar.color, cover)
  }
  return [...rgb, Math.round(255 * tile)]
}

function png() {
  const rows = []
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4) // filter byte 0 (None), then RGBA
    for (let x = 0; x < SIZE; x++) Buffer.from(pixel(x, y)).copy(row, 1 + x * 4)
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

writeFileSync(new URL('./icon.png', import.meta.url), png())
