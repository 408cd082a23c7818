/**
 * An error SAM answers with. SAM names its error classes in the body (`{"error": "<Class>",
 * "message": "<text>"}`, protocols.md §3.1); the client maps the class names it knows to
 * DefinitionNotFound, FileNotFound, ProjectNotFound (404), DimensionError, InvalidMetadata (400)
 * and HTTPConflict (409).
 */
export class SamError extends Error {
  constructor(
    readonly status: number,
    readonly errorClass: string,
    message: string,
  ) {
    super(message)
    this.name = 'SamError'
  }
}

export const badRequest = (message: string, errorClass = 'HTTPBadRequest'): SamError => new SamError(400, errorClass, message)
export const dimensionError = (message: string): SamError => new SamError(400, 'DimensionError', message)
export const definitionNotFound = (name: string): SamError => new SamError(404, 'DefinitionNotFound', `Definition ${name} not found`)
export const fileNotFound = (name: string): SamError => new SamError(404, 'FileNotFound', `File ${name} not found`)
export const projectNotFound = (name: string): SamError => new SamError(404, 'ProjectNotFound', `Project ${name} not found`)
