/**
 * Saves text as a file through the page's own download (a Blob and an `<a download>`): the same in
 * a browser tab and in the desktop window, with no transport involved.
 */
export function downloadText(fileName: string, text: string, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))
  const link = doc.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  link.style.display = 'none'
  doc.body.append(link)
  try {
    link.click()
  } finally {
    link.remove()
    // The click starts the download synchronously; the URL only has to outlive this task.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
}
