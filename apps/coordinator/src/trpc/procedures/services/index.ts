export { blenderRender } from './blender-render.js';
export { ffmpegTranscode } from './ffmpeg-transcode.js';
export { list } from './list.js';
export { llmInference } from './llm-inference.js';
export { stableDiffusionGenerate } from './stable-diffusion-generate.js';
export { whisperTranscribe } from './whisper-transcribe.js';
