;;; test.el --- texlean in Emacs + eglot, batch mode  -*- lexical-binding: t -*-
;;
;; Run by tests/editors/test_emacs.py as `emacs --batch -l tests/editors/emacs/test.el'
;; with the environment:
;;   TEXLEAN_CONFIG      the README's eglot snippet as the test adapted it (an .el file)
;;   TEXLEAN_TEST_OUT    where to write what was seen, as JSON
;;   TEXLEAN_TEST_DIR    a folder holding copies of examples/*.tex
;;
;; Configures eglot with the README's eglot snippet, opens
;; looks-dangerous.tex, waits for flymake to show texlean's security diagnostics,
;; then opens theorems.tex, hovers \begin{theorem} (textDocument/hover), asks for
;; the code actions inside it and applies "Formalize to Lean 4 (...)".
;; Exit status 0 when every step ran, 1 otherwise (the JSON says where it stopped).

(require 'cl-lib)
(require 'json)
(require 'subr-x)

(defvar texlean-test-seen nil "Alist of what the test saw, written as JSON at the end.")
(defvar texlean-test-started (float-time))
(defconst texlean-test-wait 15.0 "Seconds any single wait may take.")

(defun texlean-test-note (key value)
  (setq texlean-test-seen (cons (cons key value) (assq-delete-all key texlean-test-seen))))

(defun texlean-test-step (name)
  (texlean-test-note
   'steps (append (alist-get 'steps texlean-test-seen)
                  (list `((name . ,name)
                          (ms . ,(round (* 1000 (- (float-time) texlean-test-started)))))))))

(defun texlean-test-wait-for (what predicate)
  "Process server output until PREDICATE holds; signal an error naming WHAT after the wait."
  (let ((deadline (+ (float-time) texlean-test-wait)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or (funcall predicate) (error "Timed out waiting for %s" what))))

(defun texlean-test-write ()
  (with-temp-file (getenv "TEXLEAN_TEST_OUT")
    (let ((json-encoding-pretty-print nil))
      (insert (json-encode texlean-test-seen)))))

;; The README's eglot snippet, taken from README.md by the test with the executable's
;; absolute path put in.  Its `eglot-ensure' hook never fires in batch mode (it waits
;; for a command loop), so the test starts eglot itself below.
(package-initialize)
(require 'eglot)
(load (getenv "TEXLEAN_CONFIG") nil t)
(setq eglot-sync-connect t
      eglot-autoshutdown nil
      make-backup-files nil
      create-lockfiles nil)

(defun texlean-test-flymake-texts ()
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(defun texlean-test-sec-p ()
  (flymake-start)
  (cl-some (lambda (text) (string-match-p "\\[SEC[0-9]+\\]" text))
           (texlean-test-flymake-texts)))

(defun texlean-test-markup (contents)
  (cond ((stringp contents) contents)
        ((plist-member contents :value) (plist-get contents :value))
        (t (mapconcat #'texlean-test-markup contents "\n"))))

(defun texlean-test-run ()
  (let ((dir (file-name-as-directory (getenv "TEXLEAN_TEST_DIR"))))
    (texlean-test-note 'emacs emacs-version)
    (texlean-test-note 'eglot (ignore-errors
                                (package-version-join
                                 (package-desc-version (cadr (assq 'eglot package-alist))))))
    ;; 1. Diagnostics through flymake.
    (find-file (concat dir "looks-dangerous.tex"))
    (texlean-test-note 'major_mode (symbol-name major-mode))
    (apply #'eglot (eglot--guess-contact))
    (texlean-test-wait-for "eglot to manage the buffer" (lambda () (eglot-managed-p)))
    (texlean-test-note 'server_name (plist-get (eglot--server-info (eglot-current-server)) :name))
    (texlean-test-step "connected")
    (texlean-test-wait-for "a SEC diagnostic in flymake" #'texlean-test-sec-p)
    (texlean-test-note 'flymake (vconcat (texlean-test-flymake-texts)))
    (texlean-test-step "diagnostics")

    ;; 2. Hover on \begin{theorem} in theorems.tex (eglot attaches it to the same server).
    (find-file (concat dir "theorems.tex"))
    (texlean-test-wait-for "eglot to manage theorems.tex" (lambda () (eglot-managed-p)))
    (goto-char (point-min))
    (search-forward "\\begin{theorem}")
    (beginning-of-line)
    (forward-char 3)
    (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                  (eglot--TextDocumentPositionParams))))
      (texlean-test-note 'hover (if hover (texlean-test-markup (plist-get hover :contents)) nil))
      (texlean-test-note 'hover_kind (and hover (plist-get (plist-get hover :contents) :kind))))
    (texlean-test-step "hover")

    ;; 3. Code actions inside the theorem; apply "Formalize to Lean 4 (...)".
    (forward-line 3)
    (forward-char 10)
    (let* ((actions (jsonrpc-request
                     (eglot-current-server) :textDocument/codeAction
                     (list :textDocument (eglot--TextDocumentIdentifier)
                           :range (list :start (eglot--pos-to-lsp-position (point))
                                        :end (eglot--pos-to-lsp-position (point)))
                           :context (list :diagnostics []))))
           (chosen (cl-find-if (lambda (a) (string-prefix-p "Formalize to Lean 4"
                                                            (plist-get a :title)))
                               actions))
           (asked nil))
      (texlean-test-note 'actions (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
      (texlean-test-step "code actions")
      (unless chosen (error "No \"Formalize to Lean 4\" action"))
      (unless (plist-get chosen :edit)
        (setq chosen (jsonrpc-request (eglot-current-server) :codeAction/resolve chosen))
        (texlean-test-note 'resolved t))
      ;; eglot asks before editing a file no buffer visits: answer yes, as a user would.
      (cl-letf (((symbol-function 'y-or-n-p) (lambda (prompt) (setq asked prompt) t)))
        (eglot--apply-workspace-edit (plist-get chosen :edit)))
      (texlean-test-note 'asked (or asked nil))
      (let ((lean (concat dir "theorems.lean")))
        (texlean-test-note 'lean_existed_before_save (if (file-exists-p lean) t :json-false))
        (with-current-buffer (find-buffer-visiting lean) (save-buffer))
        (texlean-test-note 'lean_text (with-temp-buffer
                                        (insert-file-contents lean)
                                        (buffer-string)))))
    (texlean-test-step "applied")))

(let ((ok nil))
  (condition-case err
      (progn (texlean-test-run) (setq ok t))
    (error (texlean-test-note 'error (error-message-string err))))
  (texlean-test-note 'ok (if ok t :json-false))
  (ignore-errors (eglot-shutdown-all))
  (texlean-test-write)
  (kill-emacs (if ok 0 1)))
