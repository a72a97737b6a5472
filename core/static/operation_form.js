// The registration form (operations/templates/operations/operation_form.html): rows of sites
// and targets added and removed in the page, the date of birth shown for persons only, and
// the error summary focused. Without script, the same buttons submit and the server re-renders.
(function () {
  'use strict';
  var form = document.querySelector('form.operation-form');
  if (!form) { return; }

  var summary = document.querySelector('.error-summary[data-focus-on-load]');
  if (summary) {
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('a[href^="#"]');
      var input = link && document.getElementById(link.getAttribute('href').slice(1));
      if (!input) { return; }
      event.preventDefault();
      var holder = input.closest('fieldset') || input;
      holder.scrollIntoView();
      input.focus({preventScroll: true});
    });
  }

  function showDateOfBirth(row) {
    var kind = row.querySelector('select[name$="-kind"]');
    var dob = row.querySelector('.dob-field');
    if (!kind || !dob) { return; }
    var input = dob.querySelector('input');
    var person = kind.value === 'person' || (input && input.getAttribute('aria-invalid') === 'true');
    dob.hidden = !person;
  }

  function renumber(list) {
    var rows = list.querySelectorAll('fieldset.row');
    rows.forEach(function (row, position) {
      row.querySelectorAll('.row-number').forEach(function (span) {
        span.textContent = String(position + 1);
      });
    });
    return rows.length;
  }

  function updateAdd(group) {
    var list = group.querySelector('.row-list');
    var add = group.querySelector('button.add-row');
    if (add) { add.hidden = renumber(list) >= Number(group.dataset.max); }
  }

  function nextIndex(list, kind) {
    var highest = -1;
    var prefix = kind === 'site' ? 'sites-' : 'targets-';
    list.querySelectorAll('[name^="' + prefix + '"]').forEach(function (input) {
      var index = Number(input.name.slice(prefix.length).split('-')[0]);
      if (index > highest) { highest = index; }
    });
    return highest + 1;
  }

  form.querySelectorAll('fieldset.rows').forEach(function (group) {
    var kind = group.dataset.rows;
    var list = group.querySelector('.row-list');
    var template = document.getElementById(kind + '-row-template');
    group.addEventListener('click', function (event) {
      var button = event.target.closest('button');
      if (!button || !group.contains(button)) { return; }
      if (button.classList.contains('add-row')) {
        event.preventDefault();
        var index = String(nextIndex(list, kind));
        var html = template.innerHTML.split('__index__').join(index)
          .split('__number__').join(String(list.querySelectorAll('fieldset.row').length + 1));
        list.insertAdjacentHTML('beforeend', html);
        var row = list.lastElementChild;
        showDateOfBirth(row);
        updateAdd(group);
        var first = row.querySelector('input:not([type="hidden"]), select');
        if (first) { first.focus(); }
      } else if (button.classList.contains('remove-row')) {
        event.preventDefault();
        var removed = button.closest('fieldset.row');
        var next = removed.nextElementSibling || removed.previousElementSibling;
        removed.remove();
        updateAdd(group);
        var focus = next ? next.querySelector('input:not([type="hidden"]), select')
                         : group.querySelector('button.add-row');
        if (focus) { focus.focus(); }
      }
    });
    group.addEventListener('change', function (event) {
      if (event.target.matches('select[name$="-kind"]')) {
        showDateOfBirth(event.target.closest('fieldset.row'));
      }
    });
    list.querySelectorAll('fieldset.row').forEach(showDateOfBirth);
    updateAdd(group);
  });
}());
