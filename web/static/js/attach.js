// attach.js: files in the composer. A file chosen with the button, dropped on the composer or
// pasted into its text is uploaded at once (POST /api/v1/uploads) and shown as a chip with a
// remove button; the message then carries the uploads' ids (attachment_ids), so sending waits
// for no upload and a refused send keeps the files for the next try. A file the server refuses
// (too large) shows the server's reason and is not kept.
import { upload } from './api.js';
import { t } from './i18n.js';

export class Attachments {
  // root holds the markup: [data-attach-input] (a file input), [data-attach-list] (the chips).
  constructor(form, text) {
    this.form = form;
    this.input = form.querySelector('[data-attach-input]');
    this.list = form.querySelector('[data-attach-list]');
    this.items = []; // { id, name, li, pending }
    if (!this.input || !this.list) return;
    this.input.addEventListener('change', () => {
      this.add([...this.input.files]);
      this.input.value = '';
    });
    form.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types?.includes('Files')) return;
      e.preventDefault();
      form.classList.add('dropping');
    });
    form.addEventListener('dragleave', (e) => {
      if (!form.contains(e.relatedTarget)) form.classList.remove('dropping');
    });
    form.addEventListener('drop', (e) => {
      form.classList.remove('dropping');
      const files = [...(e.dataTransfer?.files || [])];
      if (!files.length) return;
      e.preventDefault();
      this.add(files);
    });
    text.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (!files.length) return;
      e.preventDefault();
      this.add(files);
    });
  }

  // busy is true while a file is still uploading.
  get busy() { return this.items.some((i) => i.pending); }

  // ids are the uploads the message carries, in the order added.
  ids() { return this.items.filter((i) => i.id).map((i) => i.id); }

  // clear forgets the files once the message took them.
  clear() {
    for (const i of this.items) i.li.remove();
    this.items = [];
  }

  add(files) {
    for (const file of files) this.one(file);
  }

  async one(file) {
    const item = { id: 0, name: file.name || 'file', pending: true, li: document.createElement('li') };
    const name = document.createElement('span');
    name.textContent = item.name;
    const state = document.createElement('span');
    state.className = 'muted';
    state.textContent = t('js.attach.uploading');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'link';
    remove.textContent = '×';
    remove.setAttribute('aria-label', t('js.attach.remove', { name: item.name }));
    remove.addEventListener('click', () => {
      item.li.remove();
      this.items = this.items.filter((i) => i !== item);
    });
    item.li.append(name, ' ', state, ' ', remove);
    this.list.append(item.li);
    this.items.push(item);
    try {
      const up = await upload('/api/v1/uploads', file);
      item.id = up.id;
      state.textContent = t('js.attach.size', { size: Math.max(1, Math.round(up.size / 1024)) });
    } catch (err) {
      item.li.classList.add('error');
      state.textContent = err.message;
      item.failed = true;
    } finally {
      item.pending = false;
      this.form.dispatchEvent(new CustomEvent('parley:attached'));
    }
  }
}
