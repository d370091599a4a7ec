document.getElementById('app')!.textContent = '工作台正在建设中';
