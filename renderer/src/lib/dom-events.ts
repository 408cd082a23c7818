/** What a form control's input/change event carries, so templates need no DOM casts. */
export const eventValue = (event: Event): string => (event.target as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value

export const eventChecked = (event: Event): boolean => (event.target as HTMLInputElement).checked
