// Phones and keyboards (issue 14 point 8), for every page of the base template:
// - a `.table-wrap` whose table is wider than the screen becomes a named, focusable region
//   (arrow keys scroll it) and shows a scroll cue (CSS, on [data-overflowing]); one that fits
//   is no tab stop;
// - each cell of a `table.cards` learns its column's header (data-label), which the phone
//   layout shows on the card.
(function () {
  'use strict';

  function regionName(wrap) {
    var caption = wrap.querySelector('caption');
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var section = wrap.closest('section, main');
    var heading = section && section.querySelector('h1, h2, h3');
    return heading ? heading.textContent.trim() : 'Table';
  }

  function update(wrap) {
    var wide = wrap.scrollWidth > wrap.clientWidth + 1;
    if (wide && !wrap.hasAttribute('data-overflowing')) {
      wrap.setAttribute('data-overflowing', '');
      if (!wrap.hasAttribute('tabindex')) {
        wrap.setAttribute('tabindex', '0');
        wrap.setAttribute('data-shell-tabindex', '');
      }
      if (!wrap.hasAttribute('role')) { wrap.setAttribute('role', 'region'); }
      if (!wrap.hasAttribute('aria-label') && !wrap.hasAttribute('aria-labelledby')) {
        wrap.setAttribute('aria-label', regionName(wrap) + ' (scrolls sideways)');
        wrap.setAttribute('data-shell-label', '');
      }
    } else if (!wide && wrap.hasAttribute('data-overflowing')) {
      wrap.removeAttribute('data-overflowing');
      if (wrap.hasAttribute('data-shell-tabindex')) {
        wrap.removeAttribute('tabindex');
        wrap.removeAttribute('data-shell-tabindex');
        wrap.removeAttribute('role');
      }
      if (wrap.hasAttribute('data-shell-label')) {
        wrap.removeAttribute('aria-label');
        wrap.removeAttribute('data-shell-label');
      }
    }
  }

  function labelCards(table) {
    var headers = Array.prototype.map.call(
      table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
    Array.prototype.forEach.call(table.querySelectorAll('tbody tr'), function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (headers[index] && !cell.hasAttribute('data-label')) {
          cell.setAttribute('data-label', headers[index]);
        }
      });
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('table.cards'), labelCards);
    var wraps = document.querySelectorAll('.table-wrap');
    Array.prototype.forEach.call(wraps, update);
    if ('ResizeObserver' in window) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) { update(entry.target); });
      });
      Array.prototype.forEach.call(wraps, function (wrap) { observer.observe(wrap); });
    } else {
      window.addEventListener('resize', function () {
        Array.prototype.forEach.call(wraps, update);
      });
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
