import './zod-config'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { installApi } from './api'
import { reflectAppState } from './app-state'
import { installGlobalErrorHandling } from './error-handling'
import { createAppRouter } from './router'
import { useSessionStore } from './stores/session'
import { useToastsStore } from './stores/toasts'
import './styles/main.css'

// First: in browser mode this takes the token out of the URL fragment before the router reads it.
installApi()

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(createAppRouter())

const toasts = useToastsStore(pinia)
installGlobalErrorHandling(app, toasts.pushError, window)

const session = useSessionStore(pinia)
reflectAppState(() => session.status, document.body)
void session.load()

app.mount('#app')
