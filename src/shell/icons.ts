import { LabIcon } from '@jupyterlab/ui-components';

import calendarSvgstr from '../../style/icons/calendar.svg';
import mlplatSvgstr from '../../style/icons/mlplat.svg';

/** The sidebar tab's icon; `jp-icon3` lets it follow the theme. */
export const mlplatIcon = new LabIcon({
  name: 'jupyterlab-mlplat:platform',
  svgstr: mlplatSvgstr
});

/** The day fields' calendar button (`DayField`). */
export const calendarIcon = new LabIcon({
  name: 'jupyterlab-mlplat:calendar',
  svgstr: calendarSvgstr
});
