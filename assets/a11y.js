/* Accessibility fixes for two Dash 4.4.1 components (axe-core: serious violations), applied as Dash renders.
 * 1. dcc.Dropdown puts a hidden input (aria-hidden="true", tabindex 0) before its button (tabindex -1) and moves
 *    focus on; axe: "aria-hidden-focus". Here the button itself is in the tab order and the hidden input is not.
 * 2. dcc.RadioItems and dcc.Checklist wrap native radios and checkboxes in role="listbox"/"option" with no name;
 *    axe: "aria-input-field-name", "nested-interactive". The native inputs, labelled and grouped by the page's
 *    fieldset and legend, are accessible as they are: the extra roles are removed.
 * 3. dcc.Upload's file input has no name; axe: "label". It is named by the words of its drop zone.
 */
(function () {
    function fix(root) {
        root.querySelectorAll('.dash-dropdown-focus-target').forEach(function (input) {
            if (input.tabIndex !== -1) input.tabIndex = -1;
            var button = input.nextElementSibling;
            if (button && button.tagName === 'BUTTON' && !button.disabled && button.tabIndex !== 0) {
                button.tabIndex = 0;
            }
        });
        root.querySelectorAll('input[type="file"]:not([aria-label])').forEach(function (input) {
            var zone = input.parentElement;
            var words = zone ? zone.textContent.replace(/\s+/g, ' ').trim() : '';
            input.setAttribute('aria-label', words || 'Choose a file');
        });
        root.querySelectorAll('.dash-radioitems[role], .dash-checklist[role]').forEach(function (list) {
            list.removeAttribute('role');
            list.querySelectorAll('label[role="option"]').forEach(function (option) {
                option.removeAttribute('role');
                option.removeAttribute('aria-selected');
            });
        });
    }

    function start() {
        fix(document);
        // Synchronously after each batch of changes (a microtask): fixed before the next key press is handled.
        new MutationObserver(function () { fix(document); }).observe(document.body, {
            childList: true, subtree: true, attributes: true, attributeFilter: ['tabindex', 'role'],
        });
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
}());
